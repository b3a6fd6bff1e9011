-- Single sign-on (twin of sqlite/0014_member_sso.sql; issue 22, ADR 0022). sso_subject is the OpenID provider's "sub"
-- of the member, bound at their first SSO sign-in; a later sign-in with the same email but another subject is refused.
ALTER TABLE members ADD COLUMN sso_subject TEXT NULL;

-- Addresses whose member was removed: SSO does not bring them back as new members on its own. Accepting a new
-- invitation clears the row.
CREATE TABLE removed_members (
    email      TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts (id)
);
