import { takeViolations } from './openapi-validator.js';

// Every e2e answer is checked against the OpenAPI document (see validateResponses in
// test-app.ts); a test whose requests got answers the document does not describe fails here.
function failOnViolations(): void {
  const found = takeViolations();
  if (found.length > 0) {
    throw new Error(`Answers that do not match the OpenAPI document:\n- ${[...new Set(found)].join('\n- ')}`);
  }
}

afterEach(failOnViolations);
afterAll(failOnViolations);
