-- Two-sided measurements store L(θ − ε·d) − L(θ) beside L(θ + ε·d) − L(θ). Every run stores
-- its baseline loss in float32 and float64 to estimate the float32 round-off.

alter table flatness_result add column minus_increase double precision;

alter table training_run add column float32_loss double precision;

alter table training_run add column float64_loss double precision;
