"""Network inventory: premises, service areas, the PON tree, VLAN pools, ONT stock;
qualification and allocation."""
