-- What the telephony side reported about how the call's session ended: ConversationRelay's <Connect action>
-- callback (SessionStatus, ErrorCode/ErrorMessage, HandoffData). Null when nothing was reported.
ALTER TABLE calls ADD COLUMN session_outcome text;
