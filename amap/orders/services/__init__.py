"""Every write and business rule of the orders app, one module per topic:
`booking` (orders and stock), `contracts` (contracts, subscriptions,
instalment schedules), `absences`, `payments`."""
