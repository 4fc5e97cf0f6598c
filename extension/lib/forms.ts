/**
 * The popup's forms, loaded on first use (and fetched once the list has painted): they carry the shared API schemas
 * and zod for local validation, which the list itself does not need.
 */
export { CredentialsForm } from '../components/CredentialsForm';
export { SecretForm } from '../components/SecretForm';
