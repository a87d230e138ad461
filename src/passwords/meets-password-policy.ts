/** Where a DTO class keeps the fields the password policy checks (read by PolicyValidationPipe). */
const POLICY_FIELDS = Symbol('password-policy-fields');

export interface PolicyField {
  field: string;
  /** The body field holding the account's username, when the body names it (registration). */
  usernameField?: string;
}

/**
 * The field is a new password: the password policy (PasswordPolicyService) checks it with the
 * DTO's other rules, so one 400 lists every failing field. The policy needs the configured
 * minimum length, which a class-validator decorator cannot reach, so the validation pipe runs
 * it; the services still apply it wherever a password is set, with the account's username.
 */
export function MeetsPasswordPolicy(usernameField?: string): PropertyDecorator {
  return (target, property) => {
    const fields: PolicyField[] = [...policyFieldsOf(target.constructor), { field: String(property), usernameField }];
    Reflect.defineMetadata(POLICY_FIELDS, fields, target.constructor);
  };
}

export function policyFieldsOf(type: Function): PolicyField[] {
  return (Reflect.getMetadata(POLICY_FIELDS, type) as PolicyField[] | undefined) ?? [];
}
