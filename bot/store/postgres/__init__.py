"""The PostgreSQL backend: several replicas on one database (pool.py at the bottom)."""
