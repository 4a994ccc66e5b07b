-- has_publiccode is unknown (NULL) when the root listing was not collected and no publiccode.yml
-- was parsed, like the other has_* columns (docs/metrics.md, Hygiene): before, such a repository
-- read "no publiccode.yml". A parsed file still says yes whatever the listing says.
CREATE OR REPLACE VIEW repo_hygiene AS
SELECT r.forge, r.host, r.path AS repo_path,
       l.licence, l.licence_source,
       CASE WHEN l.licence IS NULL OR upper(l.licence) = 'NONE' THEN 'none'
            ELSE coalesce(le.licence_status, 'unrecognised') END AS licence_status,
       coalesce(le.osi_approved, false) AS osi_licence,
       rf.repo_path IS NOT NULL AS root_files_collected,
       rf.has_readme, rf.has_license, rf.has_contributing, rf.has_code_of_conduct, rf.has_security,
       CASE WHEN pc.repo_path IS NOT NULL THEN true ELSE rf.has_publiccode END AS has_publiccode,
       pc.valid AS publiccode_valid,
       pc.maintenance_type, pc.maintenance_until
FROM repos AS r
LEFT JOIN repo_licences AS l ON l.forge = r.forge AND l.host = r.host AND l.repo_path = r.path
LEFT JOIN licence_evaluation AS le ON le.licence = l.licence
LEFT JOIN root_files AS rf ON rf.forge = r.forge AND rf.host = r.host AND rf.repo_path = r.path
LEFT JOIN publiccode AS pc ON pc.forge = r.forge AND pc.host = r.host AND pc.repo_path = r.path;
