import { ConfigError, loadConfig } from "./config.js";

function main(): void {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`${err.message}\n\nSee .env.example and the README's "Configuration" section.`);
      process.exit(1);
    }
    throw err;
  }
  void config;
}

main();
