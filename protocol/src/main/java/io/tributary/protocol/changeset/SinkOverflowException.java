package io.tributary.protocol.changeset;

/**
 * A {@link ByteSink} cannot take more bytes: its maximum capacity (or a fixed buffer's limit)
 * would be exceeded. The sink keeps the bytes it already holds; a {@link ChangesetWriter} that
 * hits this exception in the middle of an instruction must be {@linkplain ChangesetWriter#reset
 * reset} before it is used again.
 */
public final class SinkOverflowException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final long position;
  private final long requested;
  private final long maxCapacity;

  /**
   * Creates the exception.
   *
   * @param position the sink's write position, in bytes
   * @param requested the number of bytes that did not fit
   * @param maxCapacity the most bytes the sink can hold
   */
  public SinkOverflowException(long position, long requested, long maxCapacity) {
    super(
        "sink capacity: "
            + position
            + " + "
            + requested
            + " bytes (expected: at most "
            + maxCapacity
            + " bytes in total)");
    this.position = position;
    this.requested = requested;
    this.maxCapacity = maxCapacity;
  }

  /** The sink's write position when the request failed, in bytes. */
  public long position() {
    return position;
  }

  /** The number of bytes that did not fit. */
  public long requested() {
    return requested;
  }

  /** The most bytes the sink can hold. */
  public long maxCapacity() {
    return maxCapacity;
  }
}
