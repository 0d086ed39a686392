/**
 * The {@code tributary} command line ({@link io.tributary.cli.Tributary}): {@code serve} and
 * {@code export} (the server module's commands), {@code demo} (embedded server, simulated devices
 * and an exactly-once proof read back from the server's store), {@code load} (devices against a
 * running server: throughput and acknowledgement latency) and {@code inspect} (a client upload
 * log). {@link io.tributary.cli.Tributary} is the only public type; everything else is the
 * commands' package-private machinery.
 *
 * <p>Output: results on standard output, progress and errors on standard error. Exit codes: 0
 * success, 1 failure, 2 bad usage. Null arguments throw {@link NullPointerException}.
 */
package io.tributary.cli;
