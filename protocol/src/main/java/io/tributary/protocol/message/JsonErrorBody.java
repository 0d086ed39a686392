package io.tributary.protocol.message;

import com.fasterxml.jackson.core.JsonToken;
import io.tributary.protocol.ErrorAction;
import io.tributary.protocol.ProtocolException;

/**
 * The JSON document of a server JSON_ERROR (spec protocol.md §5.10).
 *
 * <p>All six keys {@code action}, {@code isRecoveryModeDisabled}, {@code logURL}, {@code message},
 * {@code shouldClientReset} and {@code tryAgain} are required: realm-core closes the connection if
 * one is missing or mistyped, so {@link #parse(String)} rejects such a body too. The backoff keys
 * are optional but come as a group of three. Other keys (compensating-write details, {@code
 * previousSchemaVersion}, ...) are ignored when parsing and not written. An action string this
 * library does not know is kept as is: {@link #action()} returns {@link ErrorAction#UNKNOWN} and
 * {@link #actionName()} the string.
 *
 * <p>Written compactly with the six required keys sorted, then the backoff keys, as in the spec's
 * example.
 *
 * @param actionName the {@code action} string, e.g. {@code "Transient"}; not null
 * @param isRecoveryModeDisabled whether client-reset recovery is disabled
 * @param logUrl the {@code logURL}, may be empty; not null
 * @param message human-readable description; not null
 * @param shouldClientReset informational; the action decides
 * @param tryAgain false = fatal
 * @param backoff the retry delays, or {@code null} for the client's defaults
 */
public record JsonErrorBody(
    String actionName,
    boolean isRecoveryModeDisabled,
    String logUrl,
    String message,
    boolean shouldClientReset,
    boolean tryAgain,
    Backoff backoff) {

  /**
   * The optional {@code backoffIntervalSec}, {@code backoffMaxDelaySec} and {@code
   * backoffMultiplier} keys.
   *
   * @param intervalSec initial retry delay in seconds
   * @param maxDelaySec maximum retry delay in seconds
   * @param multiplier growth factor
   */
  public record Backoff(int intervalSec, int maxDelaySec, int multiplier) {}

  /**
   * @throws NullPointerException if a string is null
   */
  public JsonErrorBody {
    Checks.notNull(actionName, "action");
    Checks.notNull(logUrl, "logURL");
    Checks.notNull(message, "message");
  }

  /**
   * A body with the given action, no recovery flags, empty {@code logURL} and no backoff.
   *
   * @throws IllegalArgumentException if {@code action} is {@link ErrorAction#UNKNOWN}
   */
  public static JsonErrorBody of(ErrorAction action, String message, boolean tryAgain) {
    if (action == ErrorAction.UNKNOWN) {
      throw new IllegalArgumentException("action: UNKNOWN (expected: an action with a wire name)");
    }
    return new JsonErrorBody(action.wireName(), false, "", message, false, tryAgain, null);
  }

  /**
   * This body with the given {@code logURL} (realm-core appends it to the error text it hands the
   * app: "... Logs: " and the link).
   *
   * @param logUrl a link to the server's logs, or {@code ""}; not null
   */
  public JsonErrorBody withLogUrl(String logUrl) {
    return new JsonErrorBody(
        actionName, isRecoveryModeDisabled, logUrl, message, shouldClientReset, tryAgain, backoff);
  }

  /** This body with the given backoff. */
  public JsonErrorBody withBackoff(Backoff backoff) {
    return new JsonErrorBody(
        actionName, isRecoveryModeDisabled, logUrl, message, shouldClientReset, tryAgain, backoff);
  }

  /** The action; {@link ErrorAction#UNKNOWN} if {@link #actionName()} is not a known action. */
  public ErrorAction action() {
    return ErrorAction.forWireName(actionName);
  }

  /** The compact JSON text. */
  public String toJson() {
    return Json.write(
        g -> {
          g.writeStartObject();
          g.writeStringField("action", actionName);
          g.writeBooleanField("isRecoveryModeDisabled", isRecoveryModeDisabled);
          g.writeStringField("logURL", logUrl);
          g.writeStringField("message", message);
          g.writeBooleanField("shouldClientReset", shouldClientReset);
          g.writeBooleanField("tryAgain", tryAgain);
          if (backoff != null) {
            g.writeNumberField("backoffIntervalSec", backoff.intervalSec());
            g.writeNumberField("backoffMaxDelaySec", backoff.maxDelaySec());
            g.writeNumberField("backoffMultiplier", backoff.multiplier());
          }
          g.writeEndObject();
        });
  }

  /**
   * Parses a JSON_ERROR document.
   *
   * @throws ProtocolException (103 bad_syntax) if it is not an object, a required key is missing
   *     or mistyped, or the backoff group is incomplete
   */
  public static JsonErrorBody parse(String json) {
    return parse(json, ProtocolException.NO_OFFSET, 0);
  }

  static JsonErrorBody parse(String json, long offset, long sessionIdent) {
    return Json.parse(
        json,
        "json_error.body",
        offset,
        sessionIdent,
        p -> {
          Json.requireObject(p, "JSON_ERROR body");
          String action = null;
          String logUrl = null;
          String message = null;
          Boolean recoveryDisabled = null;
          Boolean clientReset = null;
          Boolean tryAgain = null;
          Integer interval = null;
          Integer maxDelay = null;
          Integer multiplier = null;
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            p.nextToken();
            switch (key) {
              case "action" -> action = Json.string(p, key);
              case "isRecoveryModeDisabled" -> recoveryDisabled = Json.bool(p, key);
              case "logURL" -> logUrl = Json.string(p, key);
              case "message" -> message = Json.string(p, key);
              case "shouldClientReset" -> clientReset = Json.bool(p, key);
              case "tryAgain" -> tryAgain = Json.bool(p, key);
              case "backoffIntervalSec" -> interval = Json.integer(p, key);
              case "backoffMaxDelaySec" -> maxDelay = Json.integer(p, key);
              case "backoffMultiplier" -> multiplier = Json.integer(p, key);
              default -> p.skipChildren(); // extra keys never fail the parse
            }
          }
          requirePresent(action, "action");
          requirePresent(recoveryDisabled, "isRecoveryModeDisabled");
          requirePresent(logUrl, "logURL");
          requirePresent(message, "message");
          requirePresent(clientReset, "shouldClientReset");
          requirePresent(tryAgain, "tryAgain");
          Backoff backoff = null;
          if (interval != null) {
            if (maxDelay == null || multiplier == null) {
              throw new Json.Invalid(
                  "backoffIntervalSec without "
                      + (maxDelay == null ? "backoffMaxDelaySec" : "backoffMultiplier")
                      + " (expected: all three backoff keys or none)");
            }
            backoff = new Backoff(interval, maxDelay, multiplier);
          }
          return new JsonErrorBody(
              action, recoveryDisabled, logUrl, message, clientReset, tryAgain, backoff);
        });
  }

  private static void requirePresent(Object value, String key) throws Json.Invalid {
    if (value == null) {
      throw new Json.Invalid(
          "missing key '"
              + key
              + "' (expected: all of action, isRecoveryModeDisabled, logURL, message,"
              + " shouldClientReset, tryAgain)");
    }
  }
}
