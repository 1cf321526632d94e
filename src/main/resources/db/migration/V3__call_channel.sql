-- How the caller reached the agent: 'phone' (Twilio) or 'web' (the console's web phone, a browser tab). A web call
-- has no numbers: from_number and to_number are empty strings.
ALTER TABLE calls ADD COLUMN channel text NOT NULL DEFAULT 'phone' CHECK (channel IN ('phone', 'web'));
