package io.tributary.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The schema model: what the builder records, immutability, equality and notation. */
class SchemaTest {

  private static final ObjectSchema EVENT =
      ObjectSchema.asymmetric("Event")
          .primaryKey("_id", PropertyType.STRING)
          .optional("n", PropertyType.INT)
          .property("flag", PropertyType.BOOL)
          .property("any", PropertyType.MIXED)
          .list("codes", PropertyType.INT)
          .list("maybe", PropertyType.STRING, true)
          .set("tags", PropertyType.STRING)
          .dictionary("attrs", PropertyType.DOUBLE)
          .embeddedList("parts", "Part")
          .embeddedDictionary("partmap", "Part")
          .embedded("main", "Part");

  private static final ObjectSchema PART =
      ObjectSchema.embedded("Part").property("name", PropertyType.STRING);

  @Test
  void propertiesAreRecordedInDeclarationOrderWithThePrimaryKey() {
    assertThat(EVENT.properties())
        .extracting(Property::name)
        .containsExactly(
            "_id", "n", "flag", "any", "codes", "maybe", "tags", "attrs", "parts", "partmap",
            "main");
    assertThat(EVENT.primaryKey().name()).isEqualTo("_id");
    assertThat(EVENT.primaryKey().primaryKey()).isTrue();
    assertThat(EVENT.kind()).isEqualTo(ObjectSchema.Kind.ASYMMETRIC);
    assertThat(PART.primaryKey()).isNull();
    assertThat(EVENT.property("nope")).isNull();
  }

  @Test
  void realmNullabilityRulesAreApplied() {
    // mixed and single/dictionary links are always nullable; list-of-object elements never
    assertThat(EVENT.property("any").nullable()).isTrue();
    assertThat(EVENT.property("main").nullable()).isTrue();
    assertThat(EVENT.property("partmap").nullable()).isTrue();
    assertThat(EVENT.property("parts").nullable()).isFalse();
    assertThat(EVENT.property("flag").nullable()).isFalse();
    assertThat(EVENT.property("n").nullable()).isTrue();
    assertThat(EVENT.property("maybe").nullable()).isTrue();
    assertThat(EVENT.property("parts").target()).isEqualTo("Part");
    assertThat(EVENT.property("codes").collection()).isEqualTo(CollectionType.LIST);
  }

  @Test
  void toStringUsesRealmNotation() {
    assertThat(EVENT.toString())
        .isEqualTo(
            "asymmetric Event {_id: string (primary key), n: int?, flag: bool, any: mixed,"
                + " codes: list<int>, maybe: list<string?>, tags: set<string>, attrs:"
                + " dictionary<string, double>, parts: list<Part>, partmap: dictionary<string,"
                + " Part?>, main: Part?}");
    assertThat(Schema.of(EVENT, PART).toString())
        .isEqualTo("Schema[\n  " + EVENT + ",\n  embedded Part {name: string}]");
    assertThat(ObjectSchema.embedded("X").property("ts", PropertyType.TIMESTAMP).toString())
        .isEqualTo("embedded X {ts: date}");
  }

  @Test
  void builderMethodsReturnNewSchemasAndLeaveTheReceiverUnchanged() {
    ObjectSchema a = ObjectSchema.asymmetric("A").primaryKey("_id", PropertyType.INT);
    ObjectSchema b = a.property("x", PropertyType.INT);
    assertThat(a.properties()).hasSize(1);
    assertThat(b.properties()).hasSize(2);
    assertThatThrownBy(() -> b.properties().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    Schema s = Schema.of(b);
    assertThatThrownBy(() -> s.classes().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void schemasAreEqualWhateverTheClassOrder() {
    Schema one = Schema.of(EVENT, PART);
    Schema two = Schema.of(List.of(PART, EVENT));
    assertThat(one).isEqualTo(two).hasSameHashCodeAs(two);
    assertThat(one.get("Part")).isEqualTo(PART);
    assertThat(one.get("Nope")).isNull();
    assertThat(Schema.of(PART.property("x", PropertyType.INT), EVENT)).isNotEqualTo(one);
  }

  @Test
  void propertyOrderMattersForEqualityOfAClass() {
    ObjectSchema ab =
        ObjectSchema.embedded("E").property("a", PropertyType.INT).property("b", PropertyType.INT);
    ObjectSchema ba =
        ObjectSchema.embedded("E").property("b", PropertyType.INT).property("a", PropertyType.INT);
    assertThat(ab).isNotEqualTo(ba);
  }

  @Test
  void nullArgumentsThrowNullPointerException() {
    assertThatThrownBy(() -> ObjectSchema.asymmetric(null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> PART.property("x", null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> PART.embedded("x", null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Schema.of((ObjectSchema) null))
        .isInstanceOf(NullPointerException.class);
  }
}
