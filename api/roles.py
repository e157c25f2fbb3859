"""Which roles may call which endpoints (admin may call all of them)."""
from __future__ import annotations

from orders.states import Role

ORDER_WRITE = (Role.BILLING,)
ORDER_READ = (Role.BILLING, Role.BOOKING, Role.DISPATCHER, Role.ANALYST)
QUALIFY = (Role.BILLING, Role.BOOKING)
PREMISES_READ = (Role.BILLING, Role.BOOKING, Role.DISPATCHER, Role.ANALYST)
CAPACITY_READ = (Role.DISPATCHER, Role.ANALYST)
WORKFORCE_WRITE = (Role.DISPATCHER,)
WORKFORCE_READ = (Role.DISPATCHER, Role.ANALYST)
JOBS_READ = (Role.DISPATCHER, Role.ANALYST)
ENGINEER_SELF = (Role.ENGINEER,)
ADMIN_ONLY: tuple[Role, ...] = ()
