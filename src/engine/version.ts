// The engine's name and version, recorded in every results document.
import pkg from '../../package.json';

export const ENGINE_NAME = 'circuit-thermometer';
export const ENGINE_VERSION: string = (pkg as { version: string }).version;
