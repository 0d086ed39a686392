package io.tributary.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.server.AppSchema.ClassKind;
import io.tributary.server.AppSchema.CollectionKind;
import io.tributary.server.AppSchema.Property;
import io.tributary.server.AppSchema.PropertyType;
import org.junit.jupiter.api.Test;

class AppSchemaTest {
  private static final String FULL =
      """
      {"classes": [
        {"name": "Event", "kind": "asymmetric", "primaryKey": "_id",
         "properties": {
           "_id": "string", "n": "int?", "flag": "bool", "f": "float", "data": "data", "amount": "decimal128",
           "uid": "uuid", "any": "mixed", "codes": "int[]", "tags": "string<>", "attrs": "double{}",
           "parts": "Part[]", "partmap": "Part{}", "owner": "Device", "when": {"type": "date", "optional": true},
           "opt": {"type": "int", "collection": "list", "optional": true},
           "loc": {"type": "object", "objectType": "Part"}}},
        {"name": "Part", "kind": "embedded", "properties": {"name": "string"}},
        {"name": "Device", "kind": "topLevel", "primaryKey": "_id", "properties": {"_id": "objectId?"}}
      ]}""";

  @Test
  void parsesTheShortAndTheObjectFormsAndRoundTrips() {
    AppSchema s = AppSchema.parse(FULL);
    AppSchema.ObjectClass e = s.objectClass("Event").orElseThrow();
    assertThat(e.kind()).isEqualTo(ClassKind.ASYMMETRIC);
    assertThat(e.primaryKey()).isEqualTo("_id");
    assertThat(e.property("n").orElseThrow()).isEqualTo(Property.of("n", PropertyType.INT, true));
    assertThat(e.property("any").orElseThrow().optional()).as("mixed is always optional").isTrue();
    assertThat(e.property("codes").orElseThrow().collection()).isEqualTo(CollectionKind.LIST);
    assertThat(e.property("tags").orElseThrow().collection()).isEqualTo(CollectionKind.SET);
    assertThat(e.property("attrs").orElseThrow().collection()).isEqualTo(CollectionKind.DICTIONARY);
    assertThat(e.property("parts").orElseThrow())
        .isEqualTo(new Property("parts", PropertyType.OBJECT, CollectionKind.LIST, false, "Part"));
    assertThat(e.property("partmap").orElseThrow().optional()).as("dictionaries of links are optional").isTrue();
    assertThat(e.property("loc").orElseThrow()).isEqualTo(Property.link("loc", "Part"));
    assertThat(e.property("opt").orElseThrow())
        .isEqualTo(new Property("opt", PropertyType.INT, CollectionKind.LIST, true, null));
    assertThat(s.objectClass("Device").orElseThrow().kind()).isEqualTo(ClassKind.TOP_LEVEL);
    assertThat(AppSchema.parse(s.toJson())).isEqualTo(s);
  }

  @Test
  void errorsNameThePlaceAndTheRule() {
    assertError("{", "schema: invalid JSON at line 1");
    assertError("[]", "schema: array [] (expected: a JSON object with \"classes\")");
    assertError("{\"classes\": 1}", "schema.classes: number 1 (expected: an array of classes)");
    assertError("{\"classes\": [], \"x\": 1}", "schema: unknown key 'x'");
    assertError(cls("asymmetric", "\"_id\"", "{\"_id\": \"int\", \"v\": \"dbl\"}"),
        "classes[0] (A).properties.v: type 'dbl' (expected: one of int, bool");
    assertError(cls("asymmetric", null, "{\"v\": \"int\"}"), "classes[0] (A).primaryKey: missing");
    assertError(cls("asymmetric", "\"v\"", "{\"v\": \"double\"}"),
        "classes[0] (A).properties.v: primary key of type 'double' (expected: int, string, objectId or uuid");
    assertError(cls("embedded", "\"v\"", "{\"v\": \"int\"}"), "primaryKey: 'v' (expected: none for an embedded class)");
    assertError(cls("weird", null, "{}"), "classes[0] (A).kind: 'weird' (expected: asymmetric, embedded or topLevel)");
    assertError(cls("asymmetric", "\"_id\"", "{\"_id\": \"int\", \"l\": \"A\"}"),
        "links to asymmetric class 'A'");
    assertError(cls("asymmetric", "\"_id\"", "{\"_id\": \"int\", \"v\": {\"type\": \"int\", \"colection\": \"list\"}}"),
        "classes[0] (A).properties.v: unknown key 'colection'");
    assertError(cls("asymmetric", "\"_id\"", "{\"_id\": \"int\", \"v\": {\"type\": \"object\"}}"),
        "classes[0] (A).properties.v: objectType missing");
    assertError("{\"classes\": [{\"name\": \"" + "x".repeat(58) + "\", \"kind\": \"embedded\", \"properties\": {}}]}",
        "is 58 bytes (expected: 1..57 bytes of UTF-8)");
    assertError("{\"classes\": [" + embedded("E") + ", " + embedded("E") + "]}", "'E' declared twice");
    assertError("{\"classes\": [" + embedded("E") + ", {\"name\": \"A\", \"kind\": \"asymmetric\", \"primaryKey\": \"_id\","
        + " \"properties\": {\"_id\": \"int\", \"s\": \"E<>\"}}]}", "set of embedded objects");
  }

  private static String embedded(String name) {
    return "{\"name\": \"" + name + "\", \"kind\": \"embedded\", \"properties\": {\"x\": \"int\"}}";
  }

  private static String cls(String kind, String pk, String props) {
    return "{\"classes\": [{\"name\": \"A\", \"kind\": \"" + kind + "\"" + (pk == null ? "" : ", \"primaryKey\": " + pk)
        + ", \"properties\": " + props + "}]}";
  }

  private static void assertError(String json, String message) {
    assertThatThrownBy(() -> AppSchema.parse(json)).isInstanceOf(SchemaException.class).hasMessageContaining(message);
  }
}
