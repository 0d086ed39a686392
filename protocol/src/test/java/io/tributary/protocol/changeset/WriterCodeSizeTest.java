package io.tributary.protocol.changeset;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Guards a performance property that no behaviour test sees: the prepared Update's slow route
 * stays larger than C2's limit for inlining a frequently called method ({@code FreqInlineSize},
 * 325 bytecodes on x86-64), so that it is never compiled into the terminals (see {@code
 * ChangesetWriter.slowRoute}). Reads the method's bytecode length from the class file.
 */
class WriterCodeSizeTest {
  private static final int FREQ_INLINE_SIZE = 325;

  @Test
  void theSlowRouteIsTooLargeForC2ToInlineAtAHotCallSite() throws IOException {
    List<Integer> lengths = codeLengths(ChangesetWriter.class, "slowRoute");
    assertThat(lengths).hasSize(1);
    assertThat(lengths.get(0))
        .as("ChangesetWriter.slowRoute bytecode length: keep it above FreqInlineSize (%d), or C2"
            + " inlines it into the prepared terminals", FREQ_INLINE_SIZE)
        .isGreaterThan(FREQ_INLINE_SIZE);
  }

  @Test
  void theTerminalsStaySmallEnoughToBeInlined() throws IOException {
    // the prepared terminals must themselves stay inlinable into the caller's loop
    for (String terminal : List.of("doubleValue", "stringValue", "timestampValue")) {
      for (int length : codeLengths(ChangesetWriter.class, terminal)) {
        assertThat(length).as(terminal).isLessThanOrEqualTo(FREQ_INLINE_SIZE);
      }
    }
  }

  /** The bytecode lengths of the methods named {@code name} in {@code type}'s class file. */
  static List<Integer> codeLengths(Class<?> type, String name) throws IOException {
    String resource = type.getSimpleName() + ".class";
    try (InputStream raw = type.getResourceAsStream(resource)) {
      assertThat(raw).as(resource).isNotNull();
      DataInputStream in = new DataInputStream(raw);
      assertThat(in.readInt()).isEqualTo(0xCAFEBABE);
      in.readUnsignedShort(); // minor
      in.readUnsignedShort(); // major
      int count = in.readUnsignedShort();
      String[] utf8 = new String[count];
      for (int i = 1; i < count; i++) {
        int tag = in.readUnsignedByte();
        switch (tag) {
          case 1:
            utf8[i] = in.readUTF();
            break;
          case 3, 4, 9, 10, 11, 12, 17, 18:
            skip(in, 4);
            break;
          case 5, 6:
            skip(in, 8);
            i++; // takes two slots
            break;
          case 7, 8, 16, 19, 20:
            skip(in, 2);
            break;
          case 15:
            skip(in, 3);
            break;
          default:
            throw new IOException("constant pool tag " + tag);
        }
      }
      skip(in, 6); // access, this, super
      skip(in, 2 * in.readUnsignedShort()); // interfaces
      skipMembers(in); // fields
      List<Integer> lengths = new ArrayList<>();
      int methods = in.readUnsignedShort();
      for (int m = 0; m < methods; m++) {
        skip(in, 2); // access
        String methodName = utf8[in.readUnsignedShort()];
        skip(in, 2); // descriptor
        int attributes = in.readUnsignedShort();
        for (int a = 0; a < attributes; a++) {
          String attribute = utf8[in.readUnsignedShort()];
          int length = in.readInt();
          if (attribute.equals("Code") && methodName.equals(name)) {
            skip(in, 4); // max_stack, max_locals
            lengths.add(in.readInt());
            skip(in, length - 8);
          } else {
            skip(in, length);
          }
        }
      }
      return lengths;
    }
  }

  private static void skipMembers(DataInputStream in) throws IOException {
    int members = in.readUnsignedShort();
    for (int m = 0; m < members; m++) {
      skip(in, 6); // access, name, descriptor
      int attributes = in.readUnsignedShort();
      for (int a = 0; a < attributes; a++) {
        skip(in, 2);
        skip(in, in.readInt());
      }
    }
  }

  private static void skip(DataInputStream in, int n) throws IOException {
    in.readFully(new byte[n]);
  }
}
