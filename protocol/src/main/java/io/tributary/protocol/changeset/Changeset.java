package io.tributary.protocol.changeset;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A materialised changeset: its instructions with interned strings resolved, and the strings it
 * interned (in index order, including unused ones). For tests, tools and the server's slow paths;
 * the allocation-free way to read is {@link ChangesetReader}, to write {@link ChangesetWriter}.
 *
 * <p>Immutable and thread safe.
 */
public final class Changeset {
  private final List<Instruction> instructions;
  private final List<String> internedStrings;

  /**
   * A changeset of the given instructions.
   *
   * @param instructions the instructions, copied
   * @param internedStrings the strings interned by the encoded form, copied (may be empty)
   */
  public Changeset(List<? extends Instruction> instructions, List<String> internedStrings) {
    this.instructions = List.copyOf(instructions);
    this.internedStrings = List.copyOf(internedStrings);
  }

  /**
   * Parses and validates {@code buffer[position, limit)} without moving the buffer's position.
   *
   * @param buffer the changeset; borrowed for the duration of the call
   * @return the changeset
   * @throws ChangesetFormatException if the bytes are malformed
   */
  public static Changeset parse(ByteBuffer buffer) {
    ChangesetReader r = new ChangesetReader().reset(buffer);
    List<Instruction> list = new ArrayList<>();
    while (r.next()) {
      list.add(r.toInstruction());
    }
    List<String> strings = new ArrayList<>(r.internedCount());
    for (int i = 0; i < r.internedCount(); i++) {
      strings.add(r.internedString(i));
    }
    return new Changeset(list, strings);
  }

  /**
   * Parses and validates {@code bytes}.
   *
   * @param bytes the changeset; borrowed for the duration of the call
   * @return the changeset
   * @throws ChangesetFormatException if the bytes are malformed
   */
  public static Changeset parse(byte[] bytes) {
    return parse(ByteBuffer.wrap(bytes));
  }

  /** The instructions, in order (immutable). */
  public List<Instruction> instructions() {
    return instructions;
  }

  /** The interned strings by index, as parsed (immutable; empty for a built changeset). */
  public List<String> internedStrings() {
    return internedStrings;
  }

  /** One {@code changeset-dump} line per instruction (see {@link Instruction}). */
  public List<String> dump() {
    List<String> lines = new ArrayList<>(instructions.size());
    for (Instruction i : instructions) {
      lines.add(i.toString());
    }
    return lines;
  }

  /**
   * Writes the instructions with {@code writer}, naming the embedded class of every instruction
   * that sets a property of an embedded object (found with {@code owners}), so that the bytes are
   * those realm-core's client writes for the same operations.
   *
   * @param writer an open writer
   * @param owners the schema's embedded-object structure; {@link EmbeddedOwners#NONE} to name
   *     none
   */
  public void writeTo(ChangesetWriter writer, EmbeddedOwners owners) {
    Objects.requireNonNull(writer, "writer");
    Objects.requireNonNull(owners, "owners");
    for (Instruction i : instructions) {
      String owner = null;
      if (i instanceof Instruction.PathInstruction) {
        Instruction.PathInstruction p = (Instruction.PathInstruction) i;
        owner = owners.ownerOf(p.table(), p.field(), p.path());
      }
      writer.write(i, owner);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Changeset && ((Changeset) o).instructions.equals(instructions)
        && ((Changeset) o).internedStrings.equals(internedStrings);
  }

  @Override
  public int hashCode() {
    return instructions.hashCode() * 31 + internedStrings.hashCode();
  }

  @Override
  public String toString() {
    return String.join("\n", dump());
  }
}
