// Tests land with the cloud drivers.
