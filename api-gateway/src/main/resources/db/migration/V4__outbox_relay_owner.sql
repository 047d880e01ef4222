-- Which relay wrote the mark in outbox_relay_sent: a relay marks ahead of what it sends, so that most rounds commit
-- no mark, and may skip reading the topics only while the mark is still its own (no other gateway sent since) and
-- none of its own rounds failed. Any other relay that sends writes its own name first. NULL: marked before this
-- column, by no relay running now.
ALTER TABLE outbox_relay_sent ADD COLUMN owner VARCHAR(64);
