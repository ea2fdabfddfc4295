/**
 * The platform's own processes (a standalone bridge or api) connect to the broker with this
 * MQTT username and the admin token as password; the broker exempts them from the device ACL.
 */
export const SERVICE_USERNAME = '$platform';
