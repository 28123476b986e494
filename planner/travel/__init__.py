"""Travel times: the provider protocol, the great-circle estimate, road networks (reading, building, calibration) and traffic."""
