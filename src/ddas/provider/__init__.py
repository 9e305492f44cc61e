"""The provider service: the store a supplier imports into (`store`) and the koppelvlak it serves (`app`)."""
