-- What the publiccode.yml validation could not decide (collectors/publiccode, docs/publiccode.md):
-- one entry per check that needs the network or the repository's files, such as whether the url
-- answers or the logo file exists. A file is valid when no check it could make failed; these
-- checks are neither passed nor failed. The declared publiccodeYmlVersion stays in `version`.
ALTER TABLE publiccode ADD COLUMN not_checked VARCHAR[];
