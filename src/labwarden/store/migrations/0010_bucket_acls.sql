-- What the last scan learned of each bucket's ACL: the grants to everyone and to every AWS
-- account that take effect (JSON), so that grant verdicts count them with the policies.
ALTER TABLE buckets ADD COLUMN acl TEXT NOT NULL DEFAULT '[]';
ALTER TABLE buckets ADD COLUMN acl_state TEXT NOT NULL DEFAULT 'unknown'
    CHECK (acl_state IN ('present', 'disabled', 'unknown'));
ALTER TABLE buckets ADD COLUMN acl_detail TEXT NOT NULL DEFAULT '';
