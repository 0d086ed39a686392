package io.tributary.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Every schema rule, one test each, with the exact message naming the class and property. */
class SchemaRulesTest {

  private static ObjectSchema reading() {
    return ObjectSchema.asymmetric("Reading").primaryKey("_id", PropertyType.OBJECT_ID);
  }

  private static ObjectSchema location() {
    return ObjectSchema.embedded("Location")
        .property("lat", PropertyType.DOUBLE)
        .property("lon", PropertyType.DOUBLE);
  }

  @Test
  void theDesignExampleIsValid() {
    assertThatCode(
            () ->
                Schema.of(
                    reading()
                        .property("sensor", PropertyType.STRING)
                        .property("value", PropertyType.DOUBLE)
                        .property("ts", PropertyType.TIMESTAMP)
                        .embedded("location", "Location"),
                    location()))
        .doesNotThrowAnyException();
  }

  // ---------------------------------------------------------------------------------------------
  // primary keys

  @Test
  void anAsymmetricClassNeedsAPrimaryKey() {
    assertThatThrownBy(() -> Schema.of(ObjectSchema.asymmetric("Reading")))
        .isInstanceOf(SchemaException.class)
        .hasMessage(
            "Reading: an asymmetric class needs a primary key (expected: primaryKey(\"_id\", type)"
                + " with type int, string, objectId or uuid)");
  }

  @Test
  void aTopLevelClassNeedsAPrimaryKeyToo() {
    assertThatThrownBy(() -> Schema.of(ObjectSchema.topLevel("Person")))
        .isInstanceOf(SchemaException.class)
        .hasMessageStartingWith("Person: a top-level class needs a primary key");
  }

  @Test
  void thePrimaryKeyMustBeNamedId() {
    assertThatThrownBy(
            () -> Schema.of(ObjectSchema.asymmetric("Reading").primaryKey("id", PropertyType.INT)))
        .isInstanceOf(SchemaException.class)
        .hasMessage("Reading.id: the primary key of a synced class must be named '_id'");
  }

  @Test
  void anEmbeddedClassHasNoPrimaryKey() {
    assertThatThrownBy(() -> ObjectSchema.embedded("Location").primaryKey("_id", PropertyType.INT))
        .isInstanceOf(SchemaException.class)
        .hasMessage("Location._id: an embedded class has no primary key (expected: a property)");
  }

  @Test
  void primaryKeyTypesAreIntStringObjectIdAndUuid() {
    for (PropertyType t : PropertyType.values()) {
      if (t.isPrimaryKeyType()) {
        assertThatCode(() -> Schema.of(ObjectSchema.asymmetric("A").primaryKey("_id", t, true)))
            .doesNotThrowAnyException();
      } else {
        assertThatThrownBy(() -> ObjectSchema.asymmetric("A").primaryKey("_id", t))
            .isInstanceOf(SchemaException.class)
            .hasMessage(
                "A._id: primary key type " + t.realmName()
                    + " is not allowed (expected: int, string, objectId or uuid)");
      }
    }
  }

  @Test
  void onlyOnePrimaryKey() {
    assertThatThrownBy(() -> reading().primaryKey("other", PropertyType.INT))
        .isInstanceOf(SchemaException.class)
        .hasMessage("Reading.other: a primary key is already declared (_id)");
  }

  // ---------------------------------------------------------------------------------------------
  // links

  @Test
  void anAsymmetricClassMayNotLinkToATopLevelClass() {
    assertThatThrownBy(
            () ->
                Schema.of(
                    reading().embedded("owner", "Person"),
                    ObjectSchema.topLevel("Person").primaryKey("_id", PropertyType.INT)))
        .isInstanceOf(SchemaException.class)
        .hasMessage(
            "Reading.owner: an asymmetric class may contain embedded objects but not links to"
                + " top-level class 'Person'");
  }

  @Test
  void anAsymmetricClassMayNotLinkToAnAsymmetricClass() {
    assertThatThrownBy(
            () ->
                Schema.of(
                    reading().embeddedList("others", "Other"),
                    ObjectSchema.asymmetric("Other").primaryKey("_id", PropertyType.INT)))
        .isInstanceOf(SchemaException.class)
        .hasMessage(
            "Reading.others: an asymmetric class may contain embedded objects but not links to"
                + " asymmetric class 'Other'");
  }

  @Test
  void aTopLevelClassMayNotContainAnAsymmetricClass() {
    assertThatThrownBy(
            () ->
                Schema.of(
                    reading(),
                    ObjectSchema.topLevel("Person")
                        .primaryKey("_id", PropertyType.INT)
                        .embedded("last", "Reading")))
        .isInstanceOf(SchemaException.class)
        .hasMessage(
            "Person.last: top-level and embedded classes may not contain asymmetric class"
                + " 'Reading'");
  }

  @Test
  void anEmbeddedClassMayNotContainAnAsymmetricClass() {
    assertThatThrownBy(
            () ->
                Schema.of(
                    reading().embedded("location", "Location"),
                    location().embeddedDictionary("readings", "Reading")))
        .isInstanceOf(SchemaException.class)
        .hasMessage(
            "Location.readings: top-level and embedded classes may not contain asymmetric class"
                + " 'Reading'");
  }

  @Test
  void anEmbeddedClassOfAnAsymmetricClassMayNotLinkToATopLevelClass() {
    assertThatThrownBy(
            () ->
                Schema.of(
                    reading().embedded("location", "Location"),
                    location().embedded("owner", "Person"),
                    ObjectSchema.topLevel("Person").primaryKey("_id", PropertyType.INT)))
        .isInstanceOf(SchemaException.class)
        .hasMessage(
            "Location.owner: embedded class 'Location' is contained in asymmetric class"
                + " 'Reading', which may contain embedded objects but not links to top-level"
                + " class 'Person'");
  }

  @Test
  void topLevelClassesMayLinkToTopLevelAndEmbeddedClasses() {
    // expressible (and rejected later by IngestRealm.open, which refuses top-level classes)
    assertThatCode(
            () ->
                Schema.of(
                    ObjectSchema.topLevel("Person")
                        .primaryKey("_id", PropertyType.INT)
                        .embedded("friend", "Person")
                        .embedded("home", "Location"),
                    location()))
        .doesNotThrowAnyException();
  }

  @Test
  void linkTargetsMustBeInTheSchema() {
    assertThatThrownBy(() -> Schema.of(reading().embedded("location", "Locaton"), location()))
        .isInstanceOf(SchemaException.class)
        .hasMessage("Reading.location: link target class 'Locaton' is not in the schema");
  }

  @Test
  void linkPropertiesNeedTheEmbeddedMethods() {
    assertThatThrownBy(() -> reading().property("location", PropertyType.OBJECT))
        .isInstanceOf(SchemaException.class)
        .hasMessage(
            "Reading.location: a link to an object needs its target class (expected:"
                + " embedded(name, targetClass))");
    assertThatThrownBy(() -> reading().list("parts", PropertyType.OBJECT))
        .hasMessageContaining("(expected: embeddedList(name, targetClass))");
    assertThatThrownBy(() -> reading().dictionary("parts", PropertyType.OBJECT, true))
        .hasMessageContaining("(expected: embeddedDictionary(name, targetClass))");
    assertThatThrownBy(() -> reading().set("parts", PropertyType.OBJECT))
        .isInstanceOf(SchemaException.class)
        .hasMessage(
            "Reading.parts: sets of objects do not exist (expected: a set of a value type)");
  }

  @Test
  void embeddedClassesMustBeReachableFromAnAsymmetricClass() {
    // decision: rejected, as realm-core rejects orphan embedded classes in synced realms
    assertThatThrownBy(() -> Schema.of(reading(), location()))
        .isInstanceOf(SchemaException.class)
        .hasMessage(
            "Location: embedded class is unreachable by any link path from asymmetric or"
                + " top-level classes (expected: a property of an asymmetric class that links to"
                + " it)");
  }

  @Test
  void embeddedClassesReachedThroughOtherEmbeddedClassesAreReachable() {
    assertThatCode(
            () ->
                Schema.of(
                    ObjectSchema.embedded("Address").property("city", PropertyType.STRING),
                    reading().embeddedList("places", "Place"),
                    ObjectSchema.embedded("Place").embedded("address", "Address")))
        .doesNotThrowAnyException();
  }

  @Test
  void embeddedCyclesAreRejected() {
    assertThatThrownBy(
            () ->
                Schema.of(
                    reading().embedded("a", "A"),
                    ObjectSchema.embedded("A").embedded("b", "B"),
                    ObjectSchema.embedded("B").embeddedList("a", "A")))
        .isInstanceOf(SchemaException.class)
        .hasMessage(
            "B.a: cycles containing embedded classes are not supported (A.b -> B.a -> A)");
    assertThatThrownBy(
            () -> Schema.of(reading().embedded("n", "Node"), ObjectSchema.embedded("Node")
                .embedded("next", "Node")))
        .hasMessage(
            "Node.next: cycles containing embedded classes are not supported (Node.next -> Node)");
  }

  // ---------------------------------------------------------------------------------------------
  // names

  @Test
  void classNamesAreAtMost57Utf8Bytes() {
    String name57 = "C".repeat(57);
    assertThatCode(() -> ObjectSchema.asymmetric(name57)).doesNotThrowAnyException();
    assertThatThrownBy(() -> ObjectSchema.asymmetric(name57 + "x"))
        .isInstanceOf(SchemaException.class)
        .hasMessage("class name '" + name57 + "x': 58 UTF-8 bytes (expected: at most 57)");
    // counted in UTF-8 bytes, not chars: 29 x 'é' = 58 bytes
    assertThatThrownBy(() -> ObjectSchema.embedded("é".repeat(29)))
        .hasMessageContaining(": 58 UTF-8 bytes (expected: at most 57)");
  }

  @Test
  void propertyNamesAreAtMost63Utf8Bytes() {
    String name63 = "p".repeat(63);
    assertThatCode(() -> reading().property(name63, PropertyType.INT)).doesNotThrowAnyException();
    assertThatThrownBy(() -> reading().property(name63 + "q", PropertyType.INT))
        .isInstanceOf(SchemaException.class)
        .hasMessage(
            "Reading: property name '" + name63 + "q': 64 UTF-8 bytes (expected: at most 63)");
  }

  @Test
  void namesAreNotEmptyAndValidUtf16() {
    assertThatThrownBy(() -> ObjectSchema.asymmetric(""))
        .isInstanceOf(SchemaException.class)
        .hasMessage("class name: empty (expected: 1 to 57 UTF-8 bytes)");
    assertThatThrownBy(() -> reading().property("", PropertyType.INT))
        .hasMessage("Reading: property name: empty (expected: 1 to 63 UTF-8 bytes)");
    assertThatThrownBy(() -> reading().property("a\uD800", PropertyType.INT))
        .hasMessage(
            "Reading: property name 'a\uD800': unpaired surrogate at index 1 (expected: valid"
                + " UTF-16)");
  }

  @Test
  void linkTargetNamesAreCheckedLikeClassNames() {
    assertThatThrownBy(() -> reading().embedded("loc", "L".repeat(58)))
        .isInstanceOf(SchemaException.class)
        .hasMessageStartingWith("Reading.loc: link target class name 'LLL");
  }

  // ---------------------------------------------------------------------------------------------
  // duplicates

  @Test
  void propertyNamesAreUniqueInAClass() {
    assertThatThrownBy(
            () -> reading().property("value", PropertyType.DOUBLE).list("value", PropertyType.INT))
        .isInstanceOf(SchemaException.class)
        .hasMessage("Reading.value: duplicate property (declared twice)");
    assertThatThrownBy(() -> reading().property("_id", PropertyType.INT))
        .hasMessage("Reading._id: duplicate property (declared twice)");
  }

  @Test
  void classNamesAreUniqueInASchema() {
    assertThatThrownBy(() -> Schema.of(reading(), reading()))
        .isInstanceOf(SchemaException.class)
        .hasMessage("Reading: duplicate class (declared twice)");
  }

  @Test
  void aSchemaHasAtLeastOneClass() {
    assertThatThrownBy(Schema::of)
        .isInstanceOf(SchemaException.class)
        .hasMessage("schema: no classes (expected: at least one)");
  }

  @Test
  void builderCallsThatFailLeaveTheReceiverUsable() {
    ObjectSchema base = reading().property("value", PropertyType.DOUBLE);
    assertThatThrownBy(() -> base.property("value", PropertyType.INT));
    assertThat(base.properties()).hasSize(2);
    assertThat(Schema.of(base).get("Reading")).isEqualTo(base);
  }
}
