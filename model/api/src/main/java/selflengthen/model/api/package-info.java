/**
 * The engine's public face. Activities, the CLI and the OpenAI-compatible server talk to language
 * models only through these types, so the in-process DJL engine and an external HTTP engine are
 * interchangeable, and tests can script a model double.
 */
package selflengthen.model.api;
