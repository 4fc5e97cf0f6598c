/** The server's version, reported by /service-info and the OpenAPI document. */
export const VERSION = '0.1.0';
export const API_VERSION = '1.latchkey.1';
