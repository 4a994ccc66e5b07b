-- cursors.last_modified was never written. The loader replaces a row whole (a delete, then an insert
-- of every column its spec names), so a table holds only the columns its spec names.
ALTER TABLE cursors DROP COLUMN last_modified;
