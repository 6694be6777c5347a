-- The demo's process area is its ERP module: a demo ticket's issue category
-- (`remote_category`) becomes the module the generator wrote into `raw`
-- (Warehouse, Finance month-end, …; it held the feedback category, which
-- triage decides anyway), and the demo source reads its process area from
-- the category, so the Validation view filters by module, not by tracker.
-- Only demo tickets change; a process area the user set on the demo stays.
UPDATE tickets
SET remote_category = json_extract(raw, '$.module')
WHERE source_id IN (SELECT id FROM sources WHERE kind = 'demo')
  AND json_valid(raw)
  AND json_extract(raw, '$.generator') = 'hypercare demo'
  AND json_type(raw, '$.module') = 'text';

UPDATE sources
SET config = json_set(config, '$.validation.process_area_field', 'category')
WHERE kind = 'demo'
  AND json_valid(config)
  AND json_type(config) = 'object'
  AND COALESCE(json_type(config, '$.validation'), 'object') = 'object'
  AND json_type(config, '$.validation.process_area_field') IS NULL;
