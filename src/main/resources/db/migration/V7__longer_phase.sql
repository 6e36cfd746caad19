-- Phases of the rescaled network's measures, such as MEASURING_RESCALED_RANDOM_DIRECTIONS, are
-- longer than 32 characters.
alter table experiment alter column phase varchar(48);
