"""Every write and business rule of the distribution app, one module per topic:
`pickup_points`, `calendar` (cycles, seasons, distributions), `shifts`."""
