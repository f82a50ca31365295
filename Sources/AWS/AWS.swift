// Placeholder until the cloud drivers land.
