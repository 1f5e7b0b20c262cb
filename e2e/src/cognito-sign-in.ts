// Signs a user in on Cognito's hosted sign-in page (classic hosted UI or managed login) in the browser.

import type { Page } from 'playwright-core';

/**
 * Fills the visible username and password and submits. The classic hosted UI renders the form twice (one hidden per
 * screen size), hence `:visible`; managed login may ask for the username first and the password on a second step.
 */
export function cognitoSignIn(user: string, password: string): (page: Page) => Promise<void> {
  return async (page) => {
    const submit = page.locator('input[name="signInSubmitButton"]:visible, button[type="submit"]:visible').first();
    await page.locator('input[name="username"]:visible').first().fill(user);
    const passwordField = page.locator('input[name="password"]:visible').first();
    if (!(await passwordField.isVisible())) {
      await submit.click();
      await passwordField.waitFor();
    }
    await passwordField.fill(password);
    await submit.click();
  };
}
