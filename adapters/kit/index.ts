// What the channel adapters share.
export { channelsSection } from "./channels-file.js";
