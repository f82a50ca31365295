# Starts and stops the real components the tests talk to (moto, docker-registry).
# Sourced by scripts/test. Filled in by the cloud drivers work.
start_services() { :; }
stop_services() { :; }
