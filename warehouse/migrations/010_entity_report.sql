-- What the council report shows of an entity beyond its registry name (docs/report.md), mirrored
-- from the registry's optional display_name and logo fields by warehouse.goals.sync_goals, so the
-- dashboard (which never reads the registry or the file system) can put them on the report.
-- logo: the image file's bytes (PNG or JPEG, at most collectors.registry.MAX_LOGO_BYTES);
-- logo_type: image/png | image/jpeg, told from the bytes, not the file name.
CREATE TABLE entity_report (
    entity_id    VARCHAR PRIMARY KEY,
    display_name VARCHAR,
    logo_type    VARCHAR,
    logo         BLOB
);
