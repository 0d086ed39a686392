package io.tributary.protocol.changeset;

import static io.tributary.protocol.changeset.Vectors.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tributary.protocol.changeset.ChangesetFormatException.Reason;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The 14 malformed changesets of the vectors, with realm-core's verdict for each. */
class InvalidVectorsTest {

  static Stream<Arguments> invalid() {
    return Vectors.invalidVectors().stream()
        .map(v -> Arguments.of(v.get("name"), map(v.get("changeset")).get("file"),
            v.get("realm_core_error")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void isRejectedForTheReasonRealmCoreGives(String name, String file, String realmCoreError) {
    byte[] bytes = Vectors.bytes(file);
    assertThat(HexFormat.of().formatHex(bytes))
        .isEqualTo(map(Vectors.all().stream().filter(v -> name.equals(v.get("name")))
            .findFirst().orElseThrow().get("changeset")).get("hex"));

    ChangesetFormatException e = catchThrowableOfType(
        () -> new ChangesetReader().reset(ByteBuffer.wrap(bytes)).skipAll(),
        ChangesetFormatException.class);

    assertThat(e).as(name).isNotNull();
    assertThat(realmCoreError).startsWith(e.reason().realmCoreMessage());
    assertThat(e.offset()).isBetween(0L, (long) bytes.length);
    assertThat(e.getMessage()).startsWith(e.field() + ": ").endsWith(" at byte offset "
        + e.offset());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "invalid_truncated,                 TRUNCATED,                  CreateObject.object,       16",
    "invalid_intern_index_gap,          BAD_INTERN_INDEX,           InternString.index,         1",
    "invalid_intern_duplicate,          DUPLICATE_INTERN_STRING,    InternString.bytes,        13",
    "invalid_undefined_intern_ref,      UNDEFINED_INTERN_STRING,    CreateObject.table,         1",
    "invalid_unknown_instruction,       UNKNOWN_INSTRUCTION,        record type,               10",
    "invalid_payload_type,              BAD_DATA_TYPE,              Update.value.type,         24",
    "invalid_pk_type_double,            BAD_PRIMARY_KEY_TYPE,       CreateObject.object.type,  12",
    "invalid_addtable_pk_type,          BAD_TABLE_PRIMARY_KEY_TYPE, AddTable.pk_type,          20",
    "invalid_addtable_table_type,       BAD_TABLE_TYPE,             AddTable.table_type,       12",
    "invalid_addcolumn_collection_type, BAD_COLLECTION_TYPE,        AddColumn.collection_type, 23",
    "invalid_arrayinsert_without_index, MISSING_ARRAY_INDEX,        ArrayInsert.path,          32",
    "invalid_varint_too_long,           BAD_INTEGER,                CreateObject.object,       13",
    "invalid_timestamp_nanoseconds,     TIMESTAMP_OUT_OF_RANGE,     Update.value.nanoseconds,  23",
    "invalid_string_too_long,           STRING_TOO_LONG,            InternString.length,        2",
  })
  void namesTheFieldAndItsByteOffset(String name, Reason reason, String field, long offset) {
    byte[] bytes = Vectors.bytes(name + ".bin");

    assertThatThrownBy(() -> Changeset.parse(bytes))
        .isInstanceOfSatisfying(ChangesetFormatException.class, e -> {
          assertThat(e.reason()).isEqualTo(reason);
          assertThat(e.field()).isEqualTo(field);
          assertThat(e.offset()).isEqualTo(offset);
        });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void messagesReadWell(String name, String file, String realmCoreError) {
    ChangesetFormatException e = catchThrowableOfType(
        () -> Changeset.parse(Vectors.bytes(file)), ChangesetFormatException.class);
    Map<String, String> expected = Map.ofEntries(
        Map.entry("invalid_truncated",
            "CreateObject.object: 12 bytes (expected: at most 5, the bytes left) at byte offset 16"),
        Map.entry("invalid_intern_index_gap",
            "InternString.index: 1 (expected: 0, the number of strings interned so far) at byte"
                + " offset 1"),
        Map.entry("invalid_intern_duplicate",
            "InternString.bytes: \"Reading\" again (expected: interned once; it is #0) at byte"
                + " offset 13"),
        Map.entry("invalid_string_too_long",
            "InternString.length: 16777200 bytes (expected: at most 16777199) at byte offset 2"));
    if (expected.containsKey(name)) {
      assertThat(e).hasMessage(expected.get(name));
    }
  }
}
