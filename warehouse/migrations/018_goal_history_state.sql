-- What the goal history reconstructed from the data was last made for (warehouse.goals.snapshots):
-- the first day of the month it was made in (its days are the month ends before that month) and a
-- digest of what it reads from the registry (entities, history horizon, the metrics of the goals).
-- A collection that changed nothing keeps the reconstructed rows while both still hold.
CREATE TABLE goal_history_state (month DATE NOT NULL, inputs VARCHAR NOT NULL);
