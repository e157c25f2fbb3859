"""The order lifecycle: persistence, state machine, jobs, and the service functions
that move an order from billing's request to field work."""
