"""Every write and business rule of the producers app, one module per topic:
`profile` (the farm, its accounts and partnerships), `catalogue` (products),
`stock` (weekly offers)."""
