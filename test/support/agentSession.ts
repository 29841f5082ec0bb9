import { demo } from "../../local/seedDemo.js";

/** Signs in through the stack's App Service Authentication stand-in and returns the session cookie. */
export async function signInCookie(baseUrl: string, user: string = demo.signInUser): Promise<string> {
  const response = await fetch(`${baseUrl}/.auth/login/demo?user=${encodeURIComponent(user)}`, { redirect: "manual" });
  const cookie = response.headers.get("set-cookie")?.split(";")[0];
  if (!cookie) throw new Error(`demo sign-in gave no cookie (${response.status})`);
  return cookie;
}
