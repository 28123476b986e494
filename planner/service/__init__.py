"""The service shells: the HTTP API, batch planning (local or Ray) and the crowd forecast."""
