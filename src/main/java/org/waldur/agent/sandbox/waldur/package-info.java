/**
 * The Waldur simulator of {@code --sandbox} and of the route tests: {@link org.waldur.agent.sandbox.waldur.FakeWaldur}, an in-process, stateful fake
 * of the Waldur REST API that checks every request against Waldur's OpenAPI schema
 * ({@link org.waldur.agent.sandbox.waldur.OpenApiContract}), plus the fixture records it serves.
 *
 * <p>Route tests start one per test (it takes milliseconds once the schema is loaded), point the
 * agent at {@code apiUrl()} with {@code token()}, drive it with MQTT events and finally assert on
 * the fake's state, its request log and {@code contractViolations().isEmpty()}.
 */
package org.waldur.agent.sandbox.waldur;
