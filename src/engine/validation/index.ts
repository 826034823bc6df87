/** One validation machinery: field tables written once, checked by the parsers and published as JSON Schemas. */
export type {
  AnySpec,
  ArraySpec,
  BooleanSpec,
  ChoiceSpec,
  ConstantSpec,
  CrossFieldCheck,
  DurationSpec,
  EitherSpec,
  FieldBase,
  FieldProblem,
  FieldSpec,
  MapSpec,
  NumberSpec,
  ObjectSpec,
  Report,
  TextSpec,
  VariantsSpec,
} from './fieldSpec.ts';
export {
  anyField,
  arrayField,
  booleanField,
  choiceField,
  constantField,
  durationField,
  eitherField,
  mapField,
  numberField,
  objectField,
  textField,
  variantsField,
} from './fieldSpec.ts';
export { fieldValue } from './fieldValue.ts';
export type { JsonSchema, SchemaHeader } from './jsonSchemaOf.ts';
export { jsonSchemaOf } from './jsonSchemaOf.ts';
export { describeValue, isJsonObject, joinPath, quoteList, rangePhrase, validateDocument } from './validateDocument.ts';
