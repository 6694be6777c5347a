-- Search finds a word's other forms ("invoice" finds "invoices", "posting"
-- finds "posted"): the full-text index is rebuilt with the Porter stemmer
-- over the same Unicode tokenizer. Same columns, same rowids (tickets.id),
-- same comment text as `reindex_ticket` writes.
DROP TABLE ticket_fts;

CREATE VIRTUAL TABLE ticket_fts USING fts5 (
    title, description, comments,
    content = '', contentless_delete = 1,
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '2 3'
);

INSERT INTO ticket_fts (rowid, title, description, comments)
SELECT t.id, t.title, t.description,
       (SELECT COALESCE(group_concat(c.body, char(10)), '') FROM comments c WHERE c.ticket_id = t.id)
FROM tickets t;
