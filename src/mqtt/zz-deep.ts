import clientModule from 'mqtt/lib/client';
const MqttClient = clientModule.default;
export const x: typeof MqttClient = MqttClient;
