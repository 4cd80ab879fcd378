"""Every write and business rule of the producers app, one module per topic:
`profile` (the farm), `managers` (the accounts managing it, by invitation),
`partnerships` (proposed by collectives, accepted by farms), `catalogue`
(products), `stock` (weekly offers), `moderation`, `charter`."""
