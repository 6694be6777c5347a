-- The custom fields a ticket server defines, by id and name, as its field
-- list last said (Jira `GET /rest/api/3/field`, Zendesk
-- `GET /api/v2/ticket_fields.json`): the chooser lists them by name, and
-- triage names a field whose tickets carry only its id. Replaced whole by a
-- sync; removed with the source.
CREATE TABLE source_field_names (
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    field_id  INTEGER NOT NULL,
    name      TEXT NOT NULL,
    PRIMARY KEY (source_id, field_id)
) WITHOUT ROWID;
