#!/usr/bin/env node
import * as cdk from 'aws-cdk-lib/core';
import { OrdersApiStack } from '../lib/orders-api-stack';

const app = new cdk.App();
new OrdersApiStack(app, 'OrdersApi');
