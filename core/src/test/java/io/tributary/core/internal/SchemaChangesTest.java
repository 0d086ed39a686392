package io.tributary.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.core.ObjectSchema;
import io.tributary.core.PropertyType;
import io.tributary.core.Schema;
import io.tributary.protocol.changeset.ArrayByteSink;
import io.tributary.protocol.changeset.Changeset;
import io.tributary.protocol.changeset.ChangesetWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Additive schema changes and what counts as incompatible. */
class SchemaChangesTest {

  private static final ObjectSchema READING =
      ObjectSchema.asymmetric("Reading")
          .primaryKey("_id", PropertyType.OBJECT_ID)
          .property("value", PropertyType.DOUBLE)
          .property("ts", PropertyType.TIMESTAMP);

  private static List<String> changeset(Schema target, Schema stored) {
    ArrayByteSink sink = new ArrayByteSink();
    ChangesetWriter w = new ChangesetWriter(sink);
    SchemaChanges.write(w, target, stored);
    w.finish();
    return Changeset.parse(sink.toByteArray()).dump();
  }

  @Test
  void additionsProduceOnlyTheNewTablesThenTheNewColumnsInRealmCoreOrder() {
    Schema stored = Schema.of(READING);
    Schema target =
        Schema.of(
            READING.optional("sensor", PropertyType.STRING).embedded("location", "Location"),
            ObjectSchema.embedded("Location").property("lat", PropertyType.DOUBLE),
            ObjectSchema.asymmetric("Alpha").primaryKey("_id", PropertyType.INT, true)
                .list("xs", PropertyType.INT));

    assertThat(SchemaChanges.incompatibilities(stored, target)).isEmpty();
    assertThat(SchemaChanges.hasAdditions(stored, target)).isTrue();
    assertThat(changeset(target, stored))
        .containsExactly(
            "AddTable table=\"Alpha\" type=TopLevelAsymmetric pk_field=\"_id\" pk_type=Int"
                + " pk_nullable=true",
            "AddTable table=\"Location\" type=Embedded",
            "AddColumn table=\"Alpha\" field=\"xs\" type=Int nullable=false collection=List",
            "AddColumn table=\"Location\" field=\"lat\" type=Double nullable=false"
                + " collection=Single",
            "AddColumn table=\"Reading\" field=\"sensor\" type=String nullable=true"
                + " collection=Single",
            "AddColumn table=\"Reading\" field=\"location\" type=Link nullable=true"
                + " collection=Single link_target=\"Location\"");
  }

  @Test
  void aNewSchemaIsAllAdditions() {
    Schema s = Schema.of(READING);
    assertThat(changeset(s, null))
        .containsExactly(
            "AddTable table=\"Reading\" type=TopLevelAsymmetric pk_field=\"_id\" pk_type=ObjectId"
                + " pk_nullable=false",
            "AddColumn table=\"Reading\" field=\"value\" type=Double nullable=false"
                + " collection=Single",
            "AddColumn table=\"Reading\" field=\"ts\" type=Timestamp nullable=false"
                + " collection=Single");
  }

  @Test
  void reorderingIsNeitherAnAdditionNorAnIncompatibility() {
    Schema stored = Schema.of(READING);
    Schema reordered =
        Schema.of(
            ObjectSchema.asymmetric("Reading")
                .property("ts", PropertyType.TIMESTAMP)
                .property("value", PropertyType.DOUBLE)
                .primaryKey("_id", PropertyType.OBJECT_ID));
    assertThat(SchemaChanges.incompatibilities(stored, reordered)).isEmpty();
    assertThat(SchemaChanges.hasAdditions(stored, reordered)).isFalse();
    assertThat(changeset(reordered, stored)).isEmpty();
  }

  @Test
  void removalsAndChangesAreListedOneByOne() {
    Schema stored =
        Schema.of(
            READING.optional("note", PropertyType.STRING).embedded("at", "Place"),
            ObjectSchema.embedded("Place").property("x", PropertyType.DOUBLE),
            ObjectSchema.asymmetric("Gone").primaryKey("_id", PropertyType.INT));
    Schema target =
        Schema.of(
            ObjectSchema.asymmetric("Reading")
                .primaryKey("_id", PropertyType.STRING)
                .property("value", PropertyType.INT)
                .property("note", PropertyType.STRING)
                .list("at", PropertyType.DOUBLE));

    assertThat(SchemaChanges.incompatibilities(stored, target))
        .containsExactly(
            "Reading._id: changed from objectId (primary key) to string (primary key)",
            "Reading.value: changed from double to int",
            "Reading.ts: removed",
            "Reading.note: changed from string? to string",
            "Reading.at: changed from Place? to list<double>",
            "Place: class removed",
            "Gone: class removed");
  }

  @Test
  void aChangedKindIsIncompatible() {
    Schema stored =
        Schema.of(
            READING.embedded("p", "P"), ObjectSchema.embedded("P").property("x", PropertyType.INT));
    Schema target =
        Schema.of(
            READING,
            ObjectSchema.asymmetric("P").primaryKey("_id", PropertyType.INT)
                .property("x", PropertyType.INT));
    List<String> problems = new ArrayList<>(SchemaChanges.incompatibilities(stored, target));
    assertThat(problems)
        .containsExactly("Reading.p: removed", "P: changed from embedded to asymmetric class");
  }

  @Test
  void classesSortByUtf8BytesNotUtf16Units() {
    List<String> names = new ArrayList<>(List.of("b", "\uD834\uDD1E", "\uFFFD", "Z", "a", "é"));
    names.sort(SchemaChanges.UTF8_ORDER);
    // U+FFFD (EF BF BD) sorts before U+1D11E (F0 9D 84 9E); String.compareTo says otherwise
    assertThat(names).containsExactly("Z", "a", "b", "é", "\uFFFD", "\uD834\uDD1E");
    assertThat("\uFFFD".compareTo("\uD834\uDD1E")).isPositive();
  }
}
