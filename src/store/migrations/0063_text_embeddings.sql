-- Sentence embeddings of ticket texts (triage), computed once per distinct
-- text and model, reused by every later run. hash = sha256(model id, NUL,
-- text); vector = 384 little-endian f32. No link to tickets: a changed text
-- gets a new row, and identical texts share one.
CREATE TABLE text_embeddings (
    hash    BLOB PRIMARY KEY,
    vector  BLOB NOT NULL
) WITHOUT ROWID;
